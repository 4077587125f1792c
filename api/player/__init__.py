"""Each user's play state: pure rules over frozen data, and the service that stores them."""
