"""School-age intervention (MTSS/RTI): screening, groups, progress monitoring."""
