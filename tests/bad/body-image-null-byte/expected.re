content/stories/bad\.md:12: .*field%00\.jpg.*
