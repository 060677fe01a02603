// placeholder: replaced by the scanner script
