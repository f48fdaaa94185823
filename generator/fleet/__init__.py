"""`build-artifact-consumer fleet`: which consumer lacks which artifact of the distributor
(ARCHITECTURE.md, Fleet status). boto3 is a runtime dependency of this command alone."""
