templates/404\.html: .*outside the site.*
