import Foundation
import Model

/// The six illustrative cities of `citybench demo` (design §9). The programmes are the cities'
/// real ones (mobile parking, EV charging, public and school Wi-Fi, digital building permit,
/// i-Kfz, citizen terminals, pedestrian counting, vacancy management, smart lighting, MoWaS
/// displays, an emergency-care network); every number is invented for the demo.
public enum DemoData {
    /// What every value's source says, and what every demo output repeats.
    public static let notice = "ILLUSTRATIVE DEMO DATA: invented figures shaped after real programmes, not official statistics"
    /// The `region` of the demo's named nodes, so the published profiles say it too.
    public static let region = "illustrative demo data"
    /// Years the demo enters values for; the latest is the ranked one.
    public static let years = [2022, 2023, 2024]
    /// The local KPI three cities define: published with its definition (`def`).
    public static let teleEmergency = KPIDefinition(
        code: "SAF.TELE_EMERGENCY_SHARE", name: "Emergency missions supported by a tele-emergency physician",
        nameDe: "Einsätze mit Telenotarzt", unit: "percent", direction: .higher, field: .safety,
        refs: ["illustrative local KPI of the citybench demo"])

    public static let cities: [DemoCity] = [
        DemoCity(
            name: "Braunschweig", slug: "braunschweig", pseudonymous: false,
            population: [2022: 249_400, 2023: 250_600, 2024: 251_800],
            latest: [
                "EGOV.PERMIT_ONLINE_SHARE": 61, "EGOV.IKFZ_SHARE": 18.5, "EGOV.CITIZEN_TERMINALS": 9, "EGOV.PERMIT_DAYS": 74,
                "INF.WIFI_HOTSPOTS": 310, "INF.GIGABIT_COVERAGE": 88, "EDU.SCHOOL_WIFI": 97, "EDU.INTERACTIVE_CLASSROOMS": 71,
                "PAR.OPEN_DATASETS": 240, "PAR.COUNCIL_STREAMED_SHARE": 100, "LIV.SMART_WATER_METERS": 22,
                "ECO.CENTRE_VACANCY_RATE": 9.8, "ECO.PEDESTRIAN_SENSORS": 14, "MOB.EV_CHARGERS": 520, "MOB.MOBILE_PARKING_SHARE": 38,
                "ENE.LED_STREETLIGHT_SHARE": 76, "ENE.SMART_STREETLIGHT_SHARE": 12, "SAF.MOWAS_DISPLAYS": 46,
                "SAF.EMERGENCY_NETWORK_HOSPITALS": 80, "SAF.TELE_EMERGENCY_SHARE": 6.5,
            ],
            yearlyChange: 0.08, localKPIs: [teleEmergency],
            projects: [
                .init(name: "Illustrative: digital building permit", field: .egov, category: .digitalPermit, status: .done, startYear: 2020,
                      kpis: ["EGOV.PERMIT_ONLINE_SHARE", "EGOV.PERMIT_DAYS"]),
                .init(name: "Illustrative: Wi-Fi in every school", field: .education, category: .schoolWifi, status: .done, startYear: 2019,
                      kpis: ["EDU.SCHOOL_WIFI"]),
                .init(name: "Illustrative: public EV charging", field: .mobility, category: .evCharging, status: .active, startYear: 2021,
                      kpis: ["MOB.EV_CHARGERS"]),
            ]),
        DemoCity(
            name: "Saarbrücken", slug: "saarbruecken", pseudonymous: false,
            population: [2022: 180_100, 2023: 180_400, 2024: 180_900],
            latest: [
                "EGOV.PERMIT_ONLINE_SHARE": 44, "EGOV.IKFZ_SHARE": 22, "EGOV.CITIZEN_TERMINALS": 6, "EGOV.PERMIT_DAYS": 96,
                "INF.WIFI_HOTSPOTS": 180, "INF.GIGABIT_COVERAGE": 79, "EDU.SCHOOL_WIFI": 90, "EDU.INTERACTIVE_CLASSROOMS": 64,
                "PAR.OPEN_DATASETS": 150, "PAR.COUNCIL_STREAMED_SHARE": 80, "LIV.SMART_WATER_METERS": 15,
                "ECO.CENTRE_VACANCY_RATE": 12.4, "ECO.PEDESTRIAN_SENSORS": 9, "MOB.EV_CHARGERS": 310, "MOB.MOBILE_PARKING_SHARE": 52,
                "ENE.LED_STREETLIGHT_SHARE": 64, "ENE.SMART_STREETLIGHT_SHARE": 8, "SAF.MOWAS_DISPLAYS": 40,
                "SAF.EMERGENCY_NETWORK_HOSPITALS": 72, "SAF.TELE_EMERGENCY_SHARE": 4.1,
            ],
            yearlyChange: 0.06, localKPIs: [teleEmergency],
            projects: [
                .init(name: "Illustrative: pay parking by phone", field: .mobility, category: .mobileParking, status: .done, startYear: 2018,
                      kpis: ["MOB.MOBILE_PARKING_SHARE"]),
                .init(name: "Illustrative: online vehicle registration", field: .egov, category: .onlineVehicleRegistration, status: .active,
                      startYear: 2021, kpis: ["EGOV.IKFZ_SHARE"]),
                .init(name: "Illustrative: MoWaS city displays", field: .safety, category: .cityInfoDisplay, status: .active, startYear: 2022,
                      kpis: ["SAF.MOWAS_DISPLAYS"]),
            ]),
        DemoCity(
            name: "Wolfsburg", slug: "wolfsburg", pseudonymous: false,
            population: [2022: 124_800, 2023: 125_100, 2024: 125_600],
            latest: [
                "EGOV.PERMIT_ONLINE_SHARE": 48, "EGOV.IKFZ_SHARE": 19, "EGOV.CITIZEN_TERMINALS": 7, "EGOV.PERMIT_DAYS": 88,
                "INF.WIFI_HOTSPOTS": 420, "INF.GIGABIT_COVERAGE": 97, "EDU.SCHOOL_WIFI": 93, "EDU.INTERACTIVE_CLASSROOMS": 66,
                "PAR.OPEN_DATASETS": 120, "PAR.COUNCIL_STREAMED_SHARE": 100,
                "ECO.CENTRE_VACANCY_RATE": 8.1, "ECO.PEDESTRIAN_SENSORS": 12, "MOB.EV_CHARGERS": 640, "MOB.MOBILE_PARKING_SHARE": 47,
                "ENE.LED_STREETLIGHT_SHARE": 88, "ENE.SMART_STREETLIGHT_SHARE": 31, "SAF.MOWAS_DISPLAYS": 28,
                "SAF.EMERGENCY_NETWORK_HOSPITALS": 78,
            ],
            yearlyChange: 0.10, localKPIs: [],
            projects: [
                .init(name: "Illustrative: gigabit city and public Wi-Fi", field: .infrastructure, category: .publicWifi, status: .done,
                      startYear: 2018, kpis: ["INF.WIFI_HOTSPOTS", "INF.GIGABIT_COVERAGE"]),
                .init(name: "Illustrative: charging points in every district", field: .mobility, category: .evCharging, status: .active,
                      startYear: 2019, kpis: ["MOB.EV_CHARGERS"]),
                .init(name: "Illustrative: smart street lighting", field: .energy, category: .smartLighting, status: .active, startYear: 2020,
                      kpis: ["ENE.LED_STREETLIGHT_SHARE", "ENE.SMART_STREETLIGHT_SHARE"]),
            ]),
        DemoCity(
            name: "Aachen", slug: "aachen", pseudonymous: false,
            population: [2022: 249_100, 2023: 250_700, 2024: 252_100],
            latest: [
                "EGOV.PERMIT_ONLINE_SHARE": 58, "EGOV.IKFZ_SHARE": 21, "EGOV.CITIZEN_TERMINALS": 8, "EGOV.PERMIT_DAYS": 81,
                "INF.WIFI_HOTSPOTS": 260, "INF.GIGABIT_COVERAGE": 84, "EDU.SCHOOL_WIFI": 94, "EDU.INTERACTIVE_CLASSROOMS": 69,
                "PAR.OPEN_DATASETS": 310, "PAR.COUNCIL_STREAMED_SHARE": 100, "LIV.SMART_WATER_METERS": 27,
                "ECO.CENTRE_VACANCY_RATE": 10.6, "ECO.PEDESTRIAN_SENSORS": 16, "MOB.EV_CHARGERS": 480, "MOB.MOBILE_PARKING_SHARE": 41,
                "ENE.LED_STREETLIGHT_SHARE": 71, "ENE.SMART_STREETLIGHT_SHARE": 10, "SAF.MOWAS_DISPLAYS": 35,
                "SAF.EMERGENCY_NETWORK_HOSPITALS": 95, "SAF.TELE_EMERGENCY_SHARE": 14.8,
            ],
            yearlyChange: 0.07, localKPIs: [teleEmergency],
            projects: [
                .init(name: "Illustrative: tele-emergency physician network", field: .safety, category: .emergencyCareNetwork, status: .active,
                      startYear: 2014, kpis: ["SAF.EMERGENCY_NETWORK_HOSPITALS", "SAF.TELE_EMERGENCY_SHARE"]),
                .init(name: "Illustrative: open data portal", field: .participation, category: .openDataPortal, status: .active,
                      startYear: 2017, kpis: ["PAR.OPEN_DATASETS"]),
                .init(name: "Illustrative: pedestrian counting in the centre", field: .economy, category: .pedestrianCounting, status: .done,
                      startYear: 2021, kpis: ["ECO.PEDESTRIAN_SENSORS"]),
            ]),
        DemoCity(
            name: "Kempten", slug: "kempten", pseudonymous: true,
            population: [2022: 69_800, 2023: 70_100, 2024: 70_500],
            latest: [
                "EGOV.PERMIT_ONLINE_SHARE": 49, "EGOV.IKFZ_SHARE": 16, "EGOV.CITIZEN_TERMINALS": 4, "EGOV.PERMIT_DAYS": 62,
                "INF.WIFI_HOTSPOTS": 95, "INF.GIGABIT_COVERAGE": 72, "EDU.SCHOOL_WIFI": 88, "EDU.INTERACTIVE_CLASSROOMS": 58,
                "PAR.OPEN_DATASETS": 60, "PAR.COUNCIL_STREAMED_SHARE": 50, "LIV.SMART_WATER_METERS": 31,
                "ECO.CENTRE_VACANCY_RATE": 6.9, "ECO.PEDESTRIAN_SENSORS": 8, "MOB.EV_CHARGERS": 150, "MOB.MOBILE_PARKING_SHARE": 35,
                "ENE.LED_STREETLIGHT_SHARE": 92, "ENE.SMART_STREETLIGHT_SHARE": 24, "SAF.MOWAS_DISPLAYS": 18,
                "SAF.EMERGENCY_NETWORK_HOSPITALS": 75, "SAF.TELE_EMERGENCY_SHARE": 9.2,
            ],
            yearlyChange: 0.05, localKPIs: [teleEmergency],
            projects: [
                .init(name: "Illustrative: vacancy management for the old town", field: .economy, category: .vacancyManagement,
                      status: .active, startYear: 2020, kpis: ["ECO.CENTRE_VACANCY_RATE"]),
                .init(name: "Illustrative: LED and smart street lighting", field: .energy, category: .smartLighting, status: .done,
                      startYear: 2017, kpis: ["ENE.LED_STREETLIGHT_SHARE", "ENE.SMART_STREETLIGHT_SHARE"]),
            ]),
        DemoCity(
            name: "Emsdetten", slug: "emsdetten", pseudonymous: true,
            population: [2022: 36_100, 2023: 36_300, 2024: 36_500],
            latest: [
                "EGOV.PERMIT_ONLINE_SHARE": 39, "EGOV.IKFZ_SHARE": 24, "EGOV.CITIZEN_TERMINALS": 2, "EGOV.PERMIT_DAYS": 58,
                "INF.WIFI_HOTSPOTS": 40, "INF.GIGABIT_COVERAGE": 91, "EDU.SCHOOL_WIFI": 100, "EDU.INTERACTIVE_CLASSROOMS": 77,
                "PAR.OPEN_DATASETS": 25, "LIV.SMART_WATER_METERS": 12,
                "ECO.CENTRE_VACANCY_RATE": 7.5, "MOB.EV_CHARGERS": 70, "MOB.MOBILE_PARKING_SHARE": 29,
                "ENE.LED_STREETLIGHT_SHARE": 83, "ENE.SMART_STREETLIGHT_SHARE": 5, "SAF.MOWAS_DISPLAYS": 6,
                "SAF.EMERGENCY_NETWORK_HOSPITALS": 60,
            ],
            yearlyChange: 0.09, localKPIs: [],
            projects: [
                .init(name: "Illustrative: citizen service terminals", field: .egov, category: .citizenTerminal, status: .active,
                      startYear: 2022, kpis: ["EGOV.CITIZEN_TERMINALS"]),
                .init(name: "Illustrative: digital classrooms", field: .education, category: .schoolWifi, status: .done, startYear: 2020,
                      kpis: ["EDU.SCHOOL_WIFI", "EDU.INTERACTIVE_CLASSROOMS"]),
            ],
            projectCounts: true),
    ]

    /// The value of `code` in `year` for `city`: the latest year's figure, and before it the
    /// figure moved back by `yearlyChange` per year (percentages capped at 100), rounded to
    /// one decimal for percentages and days, to whole numbers otherwise.
    public static func value(_ city: DemoCity, code: String, year: Int, catalog: KPICatalog) -> String? {
        guard let latest = city.latest[code], let definition = catalog[code], let last = years.last else { return nil }
        let steps = Double(last - year)
        let factor = pow(1 + city.yearlyChange, steps)
        var v = definition.direction == .higher ? latest / factor : latest * factor
        if definition.unit == "percent" { v = min(v, 100) }
        if definition.unit == "percent" || definition.unit == "days" {
            return String(format: "%.1f", (v * 10).rounded() / 10)
        }
        return String(Int(v.rounded()))
    }
}
