package catalogweb_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A real browser (Debian's headless chromium) logs in through the form,
// searches, opens a product page; the test reads the rendered DOM and
// saves a screenshot. In CI a missing chromium fails the test.
func TestBrowser(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (apt-get install chromium; .ci/run installs it)")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	h := start(t, "../testdata/policies")
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.Flag("ignore-certificate-errors", true), chromedp.WindowSize(1280, 1000),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first action starts the browser: no timeout on its context.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.tls.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("text of #%s: %v", id, err)
		}
		return s
	}
	link := chromedp.CSS(`#results a[href="/products/sales.customers"]`)
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("user-name"), "analyst"),
		chromedp.SendKeys(chromedp.ID("password"), "analyst-demo"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("domains")),
	); err != nil {
		t.Fatal(err)
	}
	user := text("user")
	// Search through the form (the page works without JavaScript).
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("q"), "customers\n"),
		chromedp.WaitVisible(link),
	); err != nil {
		t.Fatal(err)
	}
	results := text("results")
	if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible(chromedp.ID("schema"))); err != nil {
		t.Fatal(err)
	}
	heading, access, schema, sample, psql := text("product-id"), text("access"), text("schema"), text("sample"), text("psql")
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "product.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	if user != "analyst" || heading != "sales.customers" || !strings.Contains(results, "sales.customers") {
		t.Errorf("user %q heading %q results %q", user, heading, results)
	}
	for _, want := range []string{"You may read this product", "masked for you", "country_code IN"} {
		if !strings.Contains(access, want) {
			t.Errorf("access panel lacks %q: %s", want, access)
		}
	}
	if !strings.Contains(schema, "pii") || !strings.Contains(schema, "Masked by rule pii-redacted") {
		t.Errorf("schema table: %s", schema)
	}
	if !strings.Contains(sample, "xxxxx.") || strings.Contains(sample, "@example.com") || !strings.Contains(psql, "user=analyst") {
		t.Errorf("sample %q psql %q", sample, psql)
	}
	if len(shot) < 10000 {
		t.Errorf("screenshot of %d bytes", len(shot))
	}
	// The lineage graph of the demo's aggregate is drawn, and its boxes
	// are links: the downstream product opens.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(h.tls.URL+"/products/sales.revenue_by_country"),
		chromedp.WaitVisible(chromedp.ID("lineage-graph")),
	); err != nil {
		t.Fatal(err)
	}
	boxes, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#lineage-graph rect').length`))
	if err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById('lineage-graph').getBoundingClientRect().width`))
	if err != nil || width < 300 {
		t.Errorf("the lineage graph is %v px wide (%v)", width, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#lineage-graph a[href="/products/marketing.country_reach"] rect`)),
		// only the new page links upstream to the aggregate
		chromedp.WaitVisible(chromedp.CSS(`#lineage a.upstream[href="/products/sales.revenue_by_country"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text("product-id"); got != "marketing.country_reach" || boxes != 4 {
		t.Errorf("after clicking the downstream box: %q; %d boxes in the graph", got, boxes)
	}
}
