"""The files a committee sends: the annual monitoring report (.docx), the tables (.xlsx), the exports
and fillable templates (CSV/xlsx). Every cell that leaves the system is neutralised at the writer."""
