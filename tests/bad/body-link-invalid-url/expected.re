content/stories/bad\.md:12: .*https://\[example\.org/report.*
