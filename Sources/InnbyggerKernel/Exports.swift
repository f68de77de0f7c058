@_exported import InnbyggerCore
@_exported import SQLKit
