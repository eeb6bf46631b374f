// Package inbound turns what SMS gateways and mail gateways deliver into one
// neutral Message, so the humanitarian module can accept reports from people
// who have only a basic phone or an e-mail account.
//
// It reads the SMSSync and FrontlineSMS webhooks (the form fields Ushahidi's
// controllers accept), raw RFC 5322 messages uploaded as .eml files or POSTed
// by a mail gateway as message/rfc822, and the short commands people type in
// an SMS ("INFO POSKO Palu", "LAPOR ..."). It also measures how many SMS parts
// a reply needs, so replies can be cut to fit before they are sent.
//
// Errors are *Error values carrying a stable code ("sms.bad_secret",
// "email.malformed", ...), the field concerned and an HTTP status, so the
// module can translate them and answer gateways correctly. Nothing here
// touches a store: the package only parses and checks bytes from outside.
package inbound
