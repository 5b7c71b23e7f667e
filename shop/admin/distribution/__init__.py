"""Admin 分销: distribution settings, commission rules, grades, applications and distributors."""
