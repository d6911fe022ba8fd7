/* print_table.c - the CLI's plain tables: terminal-safe cells in columns
 * as wide as their widest cell (at most TEXT_TABLE_COL_MAX but the last).
 * Not the TUI's list widget. */
#include "print.h"

#include <stdlib.h>

#include "backend/text.h"
#include "backend/xalloc.h"

void table_cell_set(struct table_cell *c, const char *s, const char *none)
{
	c->text = text_safe(s && s[0] ? s : none, -1, &c->cols);
}

void table_print(FILE *f, struct table_cell *cells, size_t rows, int ncols)
{
	int *width = xcalloc((size_t)ncols, sizeof(*width));
	size_t r;
	int c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < ncols; c++)
			if (cells[r * (size_t)ncols + (size_t)c].cols >
			    width[c])
				width[c] =
				    cells[r * (size_t)ncols + (size_t)c].cols;
	/* A 100,000-character name from a server would pad every row to its
	 * width: a column (the last one excepted) is cut with an ellipsis. */
	for (c = 0; c < ncols - 1; c++)
		if (width[c] > TEXT_TABLE_COL_MAX)
			width[c] = TEXT_TABLE_COL_MAX;
	for (r = 0; r < rows; r++) {
		for (c = 0; c < ncols; c++) {
			struct table_cell *cell =
			    &cells[r * (size_t)ncols + (size_t)c];

			if (c < ncols - 1 && cell->cols > width[c]) {
				char *cut = text_safe(cell->text, width[c],
						      &cell->cols);

				free(cell->text);
				cell->text = cut;
			}
			fputs(cell->text, f);
			if (c < ncols - 1)
				fprintf(f, "%*s", width[c] - cell->cols + 3,
					"");
			free(cell->text);
		}
		fputc('\n', f);
	}
	free(width);
}
