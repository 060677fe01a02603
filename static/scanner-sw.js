// placeholder: replaced by the service worker
