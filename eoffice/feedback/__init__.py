"""Station feedback: posters, the visitor's form, verified visits, and live station grades."""
