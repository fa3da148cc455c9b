"""A stand-in for Apache Airflow, just the names the DAG file imports (tests/test_airflow_dag.py):
the test runs the DAG file where Airflow would, without the project installed."""
