using Xunit;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>A fact that drives Debian's chromium through Playwright; skipped, with a visible notice, when the browser is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (SystemChromium.ExecutablePath is null)
        {
            Skip = $"NOTICE: chromium not found at {SystemChromium.DefaultPath} (or ${SystemChromium.Variable}); `apt-get install chromium` (install.sh --deps does) to run the web-page tests in a real browser.";
        }
    }
}
