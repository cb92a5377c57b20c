"""Hand-written fakes of the ports use cases speak through (cosmicpython's way): an in-memory
unit of work whose repositories keep the same contract as the SQL ones, so a use-case test
runs in milliseconds and the contract tests prove the two agree."""
