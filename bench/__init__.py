"""Scale benchmark: corpus generator, runners, baselines."""
