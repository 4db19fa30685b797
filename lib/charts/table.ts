/**
 * A table as the package's dashboard widgets draw it (ui/IbTable.vue): its columns, each with whether
 * it holds a number (right-aligned) and whether its texts carry a sign (P&L: green with +, red with -),
 * and its rows' texts by column key, already formatted.
 */
export interface TableView {
  columns: Array<{ key: string; numeric: boolean; signed?: boolean }>;
  rows: Array<Record<string, string>>;
}
