import { barChart } from '../charts/charts';
import type { MonitoringTable } from './monitoring.service';

/**
 * The coverage column as a bar chart beside the table (which stays its text alternative): one bar per child
 * that has declared figures to compare with; none when no child has them.
 */
export function coverageChart(table: MonitoringTable): string | null {
  const column = table.columns.findIndex((c) => c.key === 'coverage');
  const rows = table.rows.filter((r) => r.org && r.cells[column]?.value != null);
  if (!rows.length) return null;
  return barChart({
    id: 'coverage-chart',
    title: 'Члены Профсоюза на учёте к статистическому отчёту, % по входящим организациям',
    labels: rows.map((r) => r.label),
    values: rows.map((r) => r.cells[column]!.value!),
    seriesName: 'На учёте к отчёту, %',
    format: 'percent',
  });
}
