content/stories/bad\.md:10: aliases\[0\]: .*/stories/.*
