site\.yaml:5: donate_url: .*
