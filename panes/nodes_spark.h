/* nodes_spark.h - the nodes pane's summary line: the Ready count, then
 * each pool's count followed by its sparkline of Ready nodes over the
 * session, fitted to the width. Drawing only; the samples are
 * backend/ready_trend's. */
#ifndef JD_NODES_SPARK_H
#define JD_NODES_SPARK_H

#include "backend/nodes.h"
#include "backend/ready_trend.h"

/* Draw the line at (y, x), w columns. trend may be NULL (no sparklines).
 * The sparklines shrink, then the "· N pools" goes, then the sparklines,
 * before a pool's name is cut. */
void nodes_summary_draw(int y, int x, int w, const struct node_summary *sum,
			const struct ready_trend *trend, int ascii);

#endif
