// An OTLP/HTTP traces endpoint that answers 200 to every POST /v1/traces and keeps nothing but
// counts (exports, spans, bytes, spans by name), for the tracing benchmark: run as a process of its own, so its
// CPU is not the measured app's. GET /stats answers the counts as JSON.
// Usage: PORT=4318 node --import tsx tracing/otlp-sink.ts
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";

const port = Number(process.env.PORT ?? 4318);
const counts = { exports: 0, spans: 0, bytes: 0, names: {} as Record<string, number> };

/** Calls `visit` for each field of the protobuf message in `buf[start, end)`; length-delimited fields get their bounds. */
function eachField(buf: Buffer, start: number, end: number, visit: (field: number, from: number, to: number) => void): void {
  let at = start;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (at < end) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      visit(Math.floor(key / 8), at, at + length);
      at += length;
    } else throw new Error(`wire type ${wire} not expected in OTLP`);
  }
}

/** The spans' names in an ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2) → name (5). */
function protobufSpanNames(buf: Buffer): string[] {
  const names: string[] = [];
  eachField(buf, 0, buf.length, (field, from, to) => {
    if (field !== 1) return;
    eachField(buf, from, to, (field2, from2, to2) => {
      if (field2 !== 2) return;
      eachField(buf, from2, to2, (field3, from3, to3) => {
        if (field3 !== 2) return;
        eachField(buf, from3, to3, (field4, from4, to4) => {
          if (field4 === 5) names.push(buf.toString("utf8", from4, to4));
        });
      });
    });
  });
  return names;
}

interface JsonExport {
  readonly resourceSpans?: readonly { readonly scopeSpans?: readonly { readonly spans?: readonly { readonly name: string }[] }[] }[];
}

function jsonSpanNames(text: string): string[] {
  const body = JSON.parse(text) as JsonExport;
  return (body.resourceSpans ?? []).flatMap((r) => r.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => span.name));
}

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/v1/traces") {
      res.writeHead(404).end();
      return;
    }
    const raw = Buffer.concat(chunks);
    const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
    const json = (req.headers["content-type"] ?? "").includes("json");
    counts.exports += 1;
    counts.bytes += raw.length;
    const names = json ? jsonSpanNames(body.toString("utf8")) : protobufSpanNames(body);
    counts.spans += names.length;
    for (const name of names) counts.names[name] = (counts.names[name] ?? 0) + 1;
    // An empty ExportTraceServiceResponse: everything accepted.
    res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" }).end(json ? "{}" : "");
  });
});
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
});
