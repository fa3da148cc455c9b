class AirflowTimetableInvalid(Exception):
    pass
