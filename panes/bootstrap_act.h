/* bootstrap_act.h - what the bootstrap pane's keys do: each action checks
 * what is known beforehand (and says it at once, without a dialog), asks
 * the operator to confirm, begins the audited change and starts the
 * backend operation (pipeline, manifests, gitlocal, flux_install,
 * flux_ops). Not drawing and not the steps' state (bootstrap_model). */
#ifndef JD_BOOTSTRAP_ACT_H
#define JD_BOOTSTRAP_ACT_H

#include "backend/bootstrap.h"
#include "tui/app.h"
#include "tui/detail.h"

/* The operations the pane started and follows. */
struct boot_ops;

struct boot_ops *boot_ops_new(void);
/* Stops following every operation (each change ends as failed). */
void boot_ops_free(struct boot_ops **o);
/* The cluster connection goes away: stop what runs on it. */
void boot_ops_disconnect(struct boot_ops *o);

/* Do act (the step's next action) given the steps as shown now; the
 * rewrite puts its diff in d (opened) before it asks. Returns an
 * enum pane_update. */
int boot_ops_do(struct app *a, struct boot_ops *o, enum boot_act act,
		const struct boot_step *steps, struct detail *d);

/* Reading the world again: the image rows, the scans and the model's
 * next reading. */
void boot_ops_reread(struct app *a);

#endif
