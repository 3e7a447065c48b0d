content/stories/bad/index\.md:11: image\.src: .*
