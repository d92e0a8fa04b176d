import { describe, expect, it } from "vitest";
import { EXPECTED, type JaegerTrace, judgeTrace, renderTree, type SpanView, spanViews } from "./trace.js";

// The shape of a real answer (scripts/check-jaeger.sh against Jaeger v2.12.0), ids shortened.
const span = (id: string, parent: string | undefined, service: string, kind: string, name: string, status?: string): SpanView => ({
  id,
  parent,
  service,
  kind,
  name,
  startUs: Number.parseInt(id, 16),
  durationUs: 1_000,
  status,
});
const ingest = EXPECTED.ingestService;
const worker = EXPECTED.workerService;
const WHOLE: SpanView[] = [
  span("01", undefined, ingest, "server", EXPECTED.webhookSpan, "202"),
  span("02", "01", ingest, "internal", "a step of the webhook"),
  span("03", "01", ingest, "producer", "send call-requests"),
  span("04", "03", worker, "consumer", "process call-requests"),
  span("05", "04", worker, "internal", "call attempt"),
  span("06", "05", worker, "client", EXPECTED.talkoverSpan, "201"),
];
const CALL = "06";
const replace = (id: string, change: Partial<SpanView>) => WHOLE.map((s) => (s.id === id ? { ...s, ...change } : s));

describe("judgeTrace", () => {
  it("accepts the request in one tree, from the webhook to the call the simulator names", () => {
    expect(judgeTrace(WHOLE, CALL)).toMatchObject({ complete: true });
  });

  const refused: [what: string, spans: SpanView[], missing: RegExp, callId?: string][] = [
    ["the worker's spans have not arrived", WHOLE.filter((s) => s.service === ingest), /no span of callbridge-worker/],
    ["the simulator names another span", WHOLE, /no span with the id 99/, "99"],
    ["the named span is not the Talkover request", replace(CALL, { kind: "internal" }), /not the worker's client span/],
    ["the call was not placed", replace(CALL, { status: "409" }), /status 409, not 201/],
    ["a parent is missing", WHOLE.filter((s) => s.id !== "05"), /parents not \(yet\) in the trace: POST \/api.* -> 05/],
    ["the worker started a trace of its own", replace("04", { parent: undefined }), /2 root spans/],
    ["the root is not the webhook", replace("01", { kind: "internal" }), /the root is internal/],
    ["no consumer span above the call", replace("04", { kind: "internal" }), /no consumer span of the worker/],
    [
      "the consumer's parent is not the ingest's",
      [...replace("04", { parent: "07" }), span("07", "03", worker, "internal", "x")],
      /consumer span's parent is not a span of the ingest/,
    ],
  ];
  it.each(refused)("refuses the trace when %s", (_, spans, missing, callId = CALL) => {
    const verdict = judgeTrace(spans, callId);
    expect(verdict.complete).toBe(false);
    expect(verdict.complete ? "" : verdict.missing).toMatch(missing);
  });
});

describe("spanViews", () => {
  it("reads parent, service, kind and status from Jaeger's /api/traces JSON", () => {
    const trace: JaegerTrace = {
      traceID: "t",
      processes: { p1: { serviceName: ingest }, p2: { serviceName: worker } },
      spans: [
        { traceID: "t", spanID: "a", operationName: "root", startTime: 1, duration: 5, processID: "p1", tags: [] },
        {
          traceID: "t",
          spanID: "b",
          operationName: EXPECTED.talkoverSpan,
          references: [
            { refType: "FOLLOWS_FROM", traceID: "t", spanID: "x" },
            { refType: "CHILD_OF", traceID: "t", spanID: "a" },
          ],
          startTime: 2,
          duration: 3,
          processID: "p2",
          tags: [
            { key: "span.kind", value: "client" },
            { key: "http.response.status_code", value: 201 },
          ],
        },
      ],
    };
    expect(spanViews(trace)).toEqual([
      { id: "a", parent: undefined, service: ingest, kind: "internal", name: "root", startUs: 1, durationUs: 5, status: undefined },
      { id: "b", parent: "a", service: worker, kind: "client", name: EXPECTED.talkoverSpan, startUs: 2, durationUs: 3, status: "201" },
    ]);
    expect(renderTree(spanViews(trace))).toBe(
      `  ${ingest}  internal  root  0.0 ms  (a)\n    ${worker}  client  ${EXPECTED.talkoverSpan}  0.0 ms [201]  (b)`,
    );
  });
});
