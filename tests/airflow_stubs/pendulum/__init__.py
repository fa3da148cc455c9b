"""pendulum.datetime as the DAG file uses it."""

import datetime as _datetime


def datetime(year, month, day, *, tz):
    return _datetime.datetime(year, month, day, tzinfo=_datetime.UTC)
