/* print_bootstrap.c - `jumpdeck bootstrap --json`: the walkthrough's steps
 * as one JSON document. Not the steps' reading (backend/bootstrap*). */
#include "print.h"

#include "backend/json.h"

char *bootstrap_to_json(const struct boot_step *v)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *o, *notes;
	size_t i, j;

	cJSON_AddNumberToObject(doc, "done", (double)bootstrap_done_count(v));
	cJSON_AddNumberToObject(doc, "total", BOOT_NSTEPS);
	arr = cJSON_AddArrayToObject(doc, "steps");
	for (i = 0; i < BOOT_NSTEPS; i++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "step", (double)(i + 1));
		cJSON_AddStringToObject(o, "title", v[i].title);
		cJSON_AddStringToObject(o, "state",
					boot_state_word(v[i].state));
		cJSON_AddBoolToObject(o, "warning", v[i].warn);
		cJSON_AddStringToObject(o, "why", v[i].why);
		notes = cJSON_AddArrayToObject(o, "notes");
		for (j = 0; j < v[i].nnotes; j++)
			cJSON_AddItemToArray(
			    notes, cJSON_CreateString(v[i].notes[j]));
		cJSON_AddStringToObject(o, "action", boot_act_word(v[i].act));
		cJSON_AddStringToObject(o, "command", v[i].command);
		if (v[i].pane)
			cJSON_AddStringToObject(o, "pane", v[i].pane);
		else
			cJSON_AddNullToObject(o, "pane");
		cJSON_AddItemToArray(arr, o);
	}
	return json_print_free(doc, 1);
}
