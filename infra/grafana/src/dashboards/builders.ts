// Small typed helpers over the Grafana Foundation SDK builders, so the dashboards read as a
// list of panels and their PromQL.

import type { DataSourceRef } from "@grafana/grafana-foundation-sdk/common";
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import {
  type Dashboard,
  DatasourceVariableBuilder,
  MappingType,
  type RowPanel,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** The dashboards' data source variable; its default is the provisioned Prometheus (uid `prometheus`). */
export const DATASOURCE_VARIABLE = "datasource";

/** The provisioned data source (infra/grafana/provisioning/datasources/prometheus.yml). */
export const PROVISIONED_DATASOURCE = { name: "Prometheus", uid: "prometheus" } as const;

/** Scrape job names of infra/prometheus/prometheus.yml. */
export const JOBS = { ingest: "callbridge-ingest", worker: "callbridge-worker" } as const;

const datasource: DataSourceRef = { type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` };

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label("Data source")
    .type("prometheus")
    .current({ selected: true, text: PROVISIONED_DATASOURCE.name, value: PROVISIONED_DATASOURCE.uid });
}

export interface Target {
  readonly expr: string;
  readonly legend: string;
  /**
   * Ask Prometheus for the histogram's exemplars too: with tracing on, the apps attach the trace id
   * (`trace_id`) of a request to its bucket, Grafana draws it as a dot and links it to the trace
   * in Jaeger (the Prometheus data source's exemplarTraceIdDestinations; docs/tracing.md).
   */
  readonly exemplar?: boolean;
}

interface PanelSize {
  readonly w: number;
  readonly h: number;
}

function query(target: Target, refId: string, instant = false): DataqueryBuilder {
  const q = new DataqueryBuilder().datasource(datasource).refId(refId).expr(target.expr).legendFormat(target.legend);
  if (target.exemplar) q.exemplar(true);
  return instant ? q.instant() : q.range();
}

const refIds = "ABCDEFGHIJ";

function refId(i: number): string {
  const id = refIds[i];
  if (id === undefined) throw new Error("too many targets in one panel");
  return id;
}

export interface TimeseriesSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly targets: readonly Target[];
  readonly size?: PanelSize;
  /** Lower bound of the axis; 0 for rates and counts. */
  readonly min?: number;
  /** A red line across the graph at this value: an alert's threshold. */
  readonly thresholdLine?: number;
}

export function timeseries(spec: TimeseriesSpec): TimeseriesPanelBuilder {
  const size = spec.size ?? { w: 12, h: 8 };
  const panel = new TimeseriesPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .min(spec.min ?? 0)
    .gridPos({ x: 0, y: 0, w: size.w, h: size.h })
    .lineWidth(1)
    .fillOpacity(10)
    .spanNulls(false)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(["mean", "max", "lastNotNull"]),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  if (spec.thresholdLine !== undefined) {
    panel
      .thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: "green" },
          { value: spec.thresholdLine, color: "red" },
        ]),
      )
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  spec.targets.forEach((target, i) => {
    panel.withTarget(query(target, refId(i)));
  });
  return panel;
}

/** A state shown as text and colour: `value` is the metric's value (0/1 for our gauges). */
interface StateText {
  readonly value: number;
  readonly text: string;
  readonly color: "green" | "red" | "yellow";
}

export interface StatSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly targets: readonly Target[];
  readonly size?: PanelSize;
  readonly states?: readonly StateText[];
  /** Colour steps from the base (green) upwards, for numeric stats. */
  readonly thresholds?: readonly { readonly value: number; readonly color: string }[];
}

export function stat(spec: StatSpec): StatPanelBuilder {
  const size = spec.size ?? { w: 6, h: 4 };
  const panel = new StatPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .gridPos({ x: 0, y: 0, w: size.w, h: size.h })
    .noValue("no data")
    .graphMode(spec.states ? BigValueGraphMode.None : BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
  if (spec.states) {
    const mapping: ValueMapping = {
      type: MappingType.ValueToText,
      options: Object.fromEntries(spec.states.map((s, index) => [String(s.value), { text: s.text, color: s.color, index }])),
    };
    panel.mappings([mapping]).colorMode(BigValueColorMode.Background);
  }
  const steps = [{ value: null, color: spec.states ? "text" : "green" }, ...(spec.thresholds ?? [])];
  panel.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps));
  spec.targets.forEach((target, i) => {
    panel.withTarget(query(target, refId(i), true));
  });
  return panel;
}

/** `histogram_quantile(q, sum by (le[, by]) (rate(<histogram>_bucket[$__rate_interval])))`. */
export function quantile(q: number, histogram: string, by: readonly string[] = []): string {
  const labels = ["le", ...by].join(", ");
  return `histogram_quantile(${q}, sum by (${labels}) (rate(${histogram}_bucket[$__rate_interval])))`;
}

/**
 * p50, p95 and p99 of a histogram, as three targets. With `exemplars`, the p95 target asks for the
 * histogram's exemplars: only one, since each target would fetch the same ones (duplicate dots).
 */
export function quantiles(histogram: string, options: { readonly exemplars?: boolean } = {}): Target[] {
  return [0.5, 0.95, 0.99].map((q) => ({
    expr: quantile(q, histogram),
    legend: `p${Math.round(q * 100)}`,
    ...(options.exemplars && q === 0.95 ? { exemplar: true } : {}),
  }));
}

/** Numbers every panel and row 1, 2, ... in order: Grafana wants unique panel ids (links and the panel editor use them). */
export function numberPanels(dashboard: Dashboard): Dashboard {
  let id = 0;
  for (const panel of dashboard.panels ?? []) {
    id += 1;
    panel.id = id;
    if (panel.type === "row") {
      for (const inner of (panel as RowPanel).panels) {
        id += 1;
        inner.id = id;
      }
    }
  }
  return dashboard;
}
