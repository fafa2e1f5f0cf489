"""Stories: topics that group mentions by meaning (topics, topic_job), which topics tell one
story (links, keeper), their names (labels), and the stories of a period for every reader
(overview).
"""
