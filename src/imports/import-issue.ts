/** One problem of an imported file, as the report shows it: the file's line, the column's header, a Russian reason. */
export interface ImportIssue {
  line: number;
  column: string;
  message: string;
}
