"""The span model: a CRF over chunks that finds Knowledge and Skill spans (issue 17)."""
