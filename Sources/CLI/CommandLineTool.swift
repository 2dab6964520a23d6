import Foundation

/// Entry point of the `citybench` executable: parses arguments, calls one library function per
/// command and prints. Returns the process exit code.
public enum CommandLineTool {
    public static func run(_ arguments: [String]) -> Int32 {
        FileHandle.standardError.write(Data("citybench: no commands yet\n".utf8))
        return 64
    }
}
