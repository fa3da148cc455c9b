"""DAG and CronTriggerTimetable as the DAG file uses them."""


class DAG:
    current = None

    def __init__(self, *, dag_id, description, schedule, **_settings):
        self.dag_id, self.description, self.schedule, self.tasks = dag_id, description, schedule, []

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None


class CronTriggerTimetable:
    def __init__(self, cron, *, timezone):
        self.cron, self.timezone = cron, timezone

    def validate(self):
        """Airflow checks the expression with croniter; the project's rules did already."""
