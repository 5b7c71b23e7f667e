"""推广中心, the distributor center: its pages, their queries, posters and promotion materials."""
