"""Email, in and out: parsing and threading of inbound mail (`parse`), the actions that store and deliver it
(`actions`), the outbox handlers that follow up (`handlers`), the local SMTP server (`smtp`) and the local sink of
outbound mail (`sink`)."""
