namespace CloudMining.Farm.Tests.Gpio;

/// <summary>A throw-away directory that plays /sys for one test: files are plain text, written exactly as the kernel would show them.</summary>
public sealed class FakeSysfsTree : IDisposable
{
    public FakeSysfsTree() => Root = Directory.CreateTempSubdirectory("farm-fake-sysfs-").FullName;

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes a file (creating its folders) and returns its full path.</summary>
    public string Write(string relative, string content)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    public string CreateDirectory(string relative) => Directory.CreateDirectory(PathOf(relative)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is not worth failing a test over.
        }
    }
}
