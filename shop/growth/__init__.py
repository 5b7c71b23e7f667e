"""Growth and fraud: the invite funnel (visits counted per distributor, source and day) and fraud flags that hold
a commission until staff clear or void it."""
