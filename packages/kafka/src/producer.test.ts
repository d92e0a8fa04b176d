import { Partitioners, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { keyHashPartitioner, murmur2 } from "./producer.js";

/** Keys of every length up to 80 bytes, ASCII and multi-byte UTF-8, and the shapes the ingest writes. */
function sampleKeys(): (string | Buffer)[] {
  const keys: (string | Buffer)[] = [
    "",
    "a",
    "ab",
    "abc",
    "abcd",
    "campaign-uuid-1:+14155550142",
    "sf-prod:04l5e000002",
    "José:+44 20 7946 0958 ☎",
  ];
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 4_000; i++) {
    let key = "";
    for (let j = 0; j < i % 81; j++)
      key += String.fromCodePoint(random() < 0.1 ? 0x80 + Math.floor(random() * 0x2fff) : 32 + Math.floor(random() * 95));
    keys.push(i % 7 === 0 ? Buffer.from(key, "utf8") : key);
  }
  return keys;
}

function partitions(count: number, leader = 0): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [0], isr: [0] }));
}

describe("keyHashPartitioner", () => {
  it("puts every key on the partition kafkajs's default partitioner puts it on", () => {
    const ours = keyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 12, 50]) {
      const partitionMetadata = partitions(count);
      for (const key of sampleKeys()) {
        const args = { topic: "t", partitionMetadata, message: { key, value: "v" } };
        expect(ours(args)).toBe(theirs(args));
      }
    }
  });

  it("keeps a partition the record names, and spreads records without a key over the available partitions", () => {
    const ours = keyHashPartitioner();
    expect(ours({ topic: "t", partitionMetadata: partitions(12), message: { key: "k", value: "v", partition: 7 } })).toBe(7);
    const chosen = new Set<number>();
    for (let i = 0; i < 24; i++) chosen.add(ours({ topic: "t", partitionMetadata: partitions(12), message: { key: null, value: "v" } }));
    expect(chosen.size).toBe(12);
  });
});

describe("murmur2", () => {
  it("matches the Java client's Utils.murmur2 on its known values", () => {
    // Values the Java client's own tests pin (UtilsTest.testMurmur2).
    expect(murmur2("21")).toBe(-973_932_308);
    expect(murmur2("foobar")).toBe(-790_332_482);
    expect(murmur2("a-little-bit-long-string")).toBe(-985_981_536);
    expect(murmur2("a-little-bit-longer-string")).toBe(-1_486_304_829);
    expect(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")).toBe(-58_897_971);
    expect(murmur2(Buffer.from("abc"))).toBe(479_470_107);
  });
});
