"""Run in a subprocess with the platform's Airflow environment: load a dags folder, print JSON."""

import json
import sys
import time

started = time.monotonic()
from airflow.dag_processing.dagbag import DagBag  # noqa: E402

imported = time.monotonic()
bag = DagBag(dag_folder=sys.argv[1])
parsed = time.monotonic()
dag = bag.dags.get(sys.argv[2])
out = {
    "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
    "airflow_import_s": imported - started,
    "dagbag_s": parsed - imported,
    "file_parse_s": {s.file: s.duration.total_seconds() for s in bag.dagbag_stats},
}
if dag is not None:
    out["tasks"] = sorted(dag.task_dict)
    out["upstream"] = {t: sorted(dag.task_dict[t].upstream_task_ids) for t in dag.task_dict}
    out["operators"] = {t: type(dag.task_dict[t]).__name__ for t in dag.task_dict}
print("RESULT" + json.dumps(out))
