"""Admin 会员: every member, searched and filtered, and one member with orders, addresses, team, money and bindings."""
