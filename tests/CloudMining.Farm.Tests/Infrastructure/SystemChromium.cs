using Microsoft.Playwright;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// The system's chromium (Debian's package), driven by Microsoft.Playwright: launched by its executable path, so
/// Playwright downloads no browser of its own. Headless, and without the sandbox, which needs user namespaces a CI
/// container running as root does not give.
/// </summary>
public sealed class SystemChromium : IAsyncDisposable
{
    /// <summary>Where Debian installs it.</summary>
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>Environment variable naming another chromium binary.</summary>
    public const string Variable = "FARM_CHROMIUM";

    private readonly IPlaywright _playwright;

    private SystemChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The chromium to launch, or null when none is installed.</summary>
    public static string? ExecutablePath =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } custom && File.Exists(custom) ? custom
        : File.Exists(DefaultPath) ? DefaultPath
        : null;

    public IBrowser Browser { get; }

    /// <summary>Where the web-page tests save their screenshots: under the test output folder.</summary>
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public static async Task<SystemChromium> LaunchAsync()
    {
        string path = ExecutablePath ?? throw new InvalidOperationException($"chromium is not installed at {DefaultPath}; apt-get install chromium.");
        IntegrationGuard.Starting("chromium");
        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                Timeout = 60_000,
            });
            return new SystemChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Saves a full-page screenshot of <paramref name="page"/> as name.png in <see cref="ScreenshotFolder"/>; returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(ScreenshotFolder);
        string path = Path.Combine(ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
