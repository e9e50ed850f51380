"""Methods layer: the handbook's methods as estimators (settings in ``__init__``, ``fit`` returns self,
learned state ends in ``_``).  Methods import only the core and each other; they never read files,
print or read the clock."""
