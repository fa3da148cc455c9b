"""BashOperator as the DAG file uses it: the task is recorded on the DAG being defined."""

from airflow.sdk import DAG


class BashOperator:
    def __init__(self, *, task_id, bash_command, cwd, env, append_env):
        self.task_id, self.bash_command, self.cwd, self.env = task_id, bash_command, cwd, env
        DAG.current.tasks.append(self)
