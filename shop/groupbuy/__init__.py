"""Group buying (拼团): an activity sells a product's SKUs at group prices to groups of N members; a member opens a
group by paying, others join by paying, and a group that does not fill before its deadline fails and every paid
member is refunded in full through the normal refund path."""
