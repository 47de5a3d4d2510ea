"""The certificate template Cadence ships: landscape A4, system fonts (DejaVu), no network.

It is used while no saved template is the default, and it pre-fills a new template.
"""

DEFAULT_NAME = "Classic (landscape A4)"

DEFAULT_HTML = """\
<div class="certificate">
  <div class="frame">
    <p class="issuer">{{ issuer }}</p>
    <h1>Certificate of Completion</h1>
    <p class="lead">This certifies that</p>
    <p class="name">{{ learner_name }}</p>
    <p class="lead">has successfully completed the course</p>
    <p class="course">{{ course_title }}</p>
    <div class="footer">
      <div class="signed">
        <p class="value">{{ issued_on }}</p>
        <p class="label">Date of issue</p>
      </div>
      <div class="signed">
        <p class="value">{{ issuer }}</p>
        <p class="label">Issued by</p>
      </div>
      <div class="verify">
        {{ qr_code }}
        <p>Check this certificate at<br><a class="url" href="{{ verify_url }}"><span>{{
          verify_url[:-(code|length)] }}</span><wbr><span>{{ code }}</span></a></p>
        <p>Code <span class="code">{{ code }}</span></p>
      </div>
    </div>
  </div>
</div>
"""

DEFAULT_CSS = """\
@page { size: A4 landscape; margin: 0; }
html, body { margin: 0; padding: 0; }
body { font-family: "DejaVu Serif", serif; color: #1b2a41; }
.certificate {
  width: 297mm; height: 209mm; box-sizing: border-box; padding: 10mm;
  background: #fbf8f1;
}
.frame {
  position: relative; height: 100%; box-sizing: border-box;
  border: 1.2mm solid #1b2a41; padding: 20mm 22mm 0;
  text-align: center;
}
.frame::before {
  content: ""; position: absolute; top: 2.5mm; right: 2.5mm; bottom: 2.5mm; left: 2.5mm;
  border: 0.3mm solid #b08d57;
}
.issuer {
  margin: 0; font-family: "DejaVu Sans", sans-serif; font-size: 11pt;
  letter-spacing: 0.3em; text-transform: uppercase; color: #b08d57;
}
h1 {
  margin: 8mm 0 12mm; font-size: 36pt; font-weight: normal; letter-spacing: 0.04em;
}
.lead { margin: 0; font-size: 13pt; font-style: italic; color: #4a5568; }
.name {
  margin: 6mm auto 9mm; padding-bottom: 2.5mm; width: 70%;
  font-size: 32pt; font-weight: bold; border-bottom: 0.4mm solid #b08d57;
}
.course { margin: 5mm 0 0; font-size: 22pt; }
.footer {
  position: absolute; left: 22mm; right: 22mm; bottom: 12mm;
  display: flex; align-items: flex-end; justify-content: space-between;
  font-family: "DejaVu Sans", sans-serif;
}
.signed { width: 62mm; text-align: center; }
.signed .value {
  margin: 0; padding-bottom: 1.5mm; font-size: 12pt; border-bottom: 0.3mm solid #1b2a41;
}
.signed .label {
  margin: 1.5mm 0 0; font-size: 8pt; letter-spacing: 0.15em; text-transform: uppercase;
  color: #4a5568;
}
.verify { width: 70mm; text-align: center; font-size: 7pt; color: #4a5568; }
.verify svg { width: 26mm; height: 26mm; }
.verify p { margin: 1mm 0 0; }
/* The address may break after /verify/, never inside the code: a reader types it whole. */
.verify .url { font-size: 6.5pt; color: inherit; text-decoration: none; }
.verify .url span { white-space: nowrap; }
.verify .code {
  font-family: "DejaVu Sans Mono", monospace; color: #1b2a41; white-space: nowrap;
}
"""
