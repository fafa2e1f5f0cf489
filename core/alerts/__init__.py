"""Just-in-time alerts: `engine` judges keys as mentions arrive and fires, `delivery` posts
to the subscribed channels through the Notifier port, `feedback` tunes each key's threshold,
`targets` knows which channels listen at which sensitivity, `message` words the post.
"""
