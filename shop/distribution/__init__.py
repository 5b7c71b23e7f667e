"""Distribution: distributors, the referral tree, bindings, grades and commission rules."""
