import { Paper, Table, type TableProps } from '@mantine/core';

/** A bordered table that scrolls sideways inside its frame, never the whole page, on a narrow window. */
export function TableFrame({ label, minWidth = 360, children, ...rest }: TableProps & { label: string; minWidth?: number }) {
  return (
    <Paper withBorder>
      <Table.ScrollContainer minWidth={minWidth}>
        <Table aria-label={label} verticalSpacing="sm" {...rest}>{children}</Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
