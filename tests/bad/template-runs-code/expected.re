templates/page\.html:3: .*unsafe.*
