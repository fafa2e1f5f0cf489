"""Analysis: language, sentiment, intent, trends and topics. Pure functions over texts and counts."""
