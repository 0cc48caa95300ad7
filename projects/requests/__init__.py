"""The request pipeline every request of the mechanism runs (procedures.md §1.0)."""
